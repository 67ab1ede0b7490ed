package har

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jtlscope/jtlscope/samples"
)

// FuzzDecode checks that no input makes the decoder panic or hang, that
// every sample it returns is placed and printable, and that on valid JSON
// it accounts for every entry: each becomes a sample or a skipped-entry
// error, as encoding/json counts them.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(publicHAR, "*.har"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		// Whole small files; the start and the end of large ones, so
		// that the fuzzer works on inputs it can mutate quickly.
		if len(data) <= 32<<10 {
			f.Add(data)
			continue
		}
		f.Add(data[:16<<10])
		f.Add(append([]byte(`{"log":{"entries":[`), data[len(data)-8<<10:]...))
	}
	ok := entryOf("POST", "https://a/x/123", 200, `"request": {"method": "POST", "postData": {"mimeType": "text/plain", "text": "hi\n", "params": [{"name": "f", "fileName": "a.bin"}]}}`)
	for _, s := range []string{
		harOf(ok, `1`, ok),
		"onInputData(" + harOf(ok) + ");",
		"\xEF\xBB\xBF" + harOf(ok),
		harOf(ok)[:200],
		`{"log": {"entries": [{"response": {"content": {"text": "eyJvayI6dHJ1ZX0", "encoding": "base64"}}}]}}`,
		`{"log": {"entries": [[[[{}]]], {"time": "1", "timings": {"dns": null}}]}}`,
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang is a failure too: decode aside and give up waiting.
		done := make(chan error, 1)
		go func() { done <- checkDecode(data) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no end after 10 s")
		}
	})
}

func checkDecode(data []byte) error {
	Sniff(data)
	d, err := NewDecoder(bytes.NewReader(data), "fuzz.har", samples.Options{})
	if err != nil {
		return err
	}
	var s samples.Sample
	var errs []error
	n := 0
	for calls := 0; ; calls++ {
		if calls > len(data)+2 {
			return fmt.Errorf("no end after %d calls", calls)
		}
		err := d.Decode(&s)
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *samples.ParseError
			if !errors.As(err, &pe) {
				return fmt.Errorf("not a ParseError: %v", err)
			}
			if pe.Offset < 0 || pe.Offset > int64(len(data)) || !placed(data, pe) {
				return fmt.Errorf("badly placed: %v (line %d column %d offset %d)", pe, pe.Line, pe.Column, pe.Offset)
			}
			errs = append(errs, err)
			continue
		}
		n++
		if s.Line < 1 || s.Code == "" || s.Kind != samples.KindHTTP {
			return fmt.Errorf("sample Line %d Code %q", s.Line, s.Code)
		}
		for _, v := range []string{s.URL, s.Label, s.Code, s.Message, s.Method, s.RequestBody, s.ResponseBody, s.BodyMIME} {
			if !utf8.ValidString(v) {
				return fmt.Errorf("invalid UTF-8: %q", v)
			}
		}
		if len(s.RequestBody) > samples.MaxBody || len(s.ResponseBody) > samples.MaxBody {
			return errors.New("body over MaxBody")
		}
	}
	if want, ok := refEntryCount(data); ok {
		for _, err := range errs {
			if !strings.Contains(err.Error(), "skipped") {
				return fmt.Errorf("valid JSON, %d entries: %v", want, err)
			}
		}
		if n+len(errs) != want {
			return fmt.Errorf("%d samples and %d skipped, encoding/json counts %d entries", n, len(errs), want)
		}
	}
	return nil
}

// placed reports whether the line and column of pe (0: not known) are
// those of its offset, counted afresh in data.
func placed(data []byte, pe *samples.ParseError) bool {
	before := data[:pe.Offset]
	if pe.Line != bytes.Count(before, []byte("\n"))+1 {
		return false
	}
	return pe.Column == 0 || pe.Column == len(before)-bytes.LastIndexByte(before, '\n')
}

// refEntryCount counts log.entries with encoding/json, when data is valid
// JSON in which "log" and "entries" each appear once (encoding/json keeps
// the last of duplicate members, we read them all).
func refEntryCount(data []byte) (int, bool) {
	if !json.Valid(data) || bytes.Count(data, []byte(`"log"`)) != 1 || bytes.Count(data, []byte(`"entries"`)) != 1 {
		return 0, false
	}
	var top map[string]json.RawMessage
	var log map[string]json.RawMessage
	var entries []json.RawMessage
	if json.Unmarshal(data, &top) != nil || json.Unmarshal(top["log"], &log) != nil || log == nil ||
		log["entries"] == nil || json.Unmarshal(log["entries"], &entries) != nil || entries == nil {
		return 0, false
	}
	return len(entries), true
}
