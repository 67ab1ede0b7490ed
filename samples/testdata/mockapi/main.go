// Command mockapi is the mock screen-recording upload API that the real
// JMeter runs under samples/testdata/jmeter were made against. It
// serves an OAuth2 token endpoint, a multipart upload endpoint and a read
// back, with failure modes switched on by flags, and it writes its own
// verdict for every upload it handles (truth.jsonl), so that a diagnosis
// made from the JMeter results alone can be checked against the server's
// view.
//
// It lives under testdata so that `go build ./...` and `go vet ./...` of
// the module leave it alone; it uses the standard library only.
//
//	go run ./samples/testdata/mockapi -addr 127.0.0.1:18080 -truth truth.jsonl -max-inflight 25 -work-ms 400
//
// See README.md beside this file for every flag and for how a run is made.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	cfg := config{}
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:18080", "listen address (keep it on loopback)")
	flag.StringVar(&cfg.truth, "truth", "truth.jsonl", "file the per-upload verdicts are appended to")
	flag.IntVar(&cfg.maxInflight, "max-inflight", 0, "400 (cause concurrency) when more than N uploads are in flight after the work; 0: no limit")
	flag.IntVar(&cfg.workMS, "work-ms", 50, "processing time of an upload, in ms")
	flag.DurationVar(&cfg.tokenTTL, "token-ttl", 0, "400 (cause token) for a token older than this; 0: tokens never age out")
	flag.BoolVar(&cfg.rejectDupIDs, "reject-dup-ids", false, "400 (cause dupid) for a recording id already stored")
	flag.IntVar(&cfg.rateLimit, "rate-limit", 0, "429 + Retry-After: 1 (cause rate) above N uploads per second; 0: no limit")
	flag.Float64Var(&cfg.late429, "late-429", 0, "share of the over-limit uploads that are processed and stored before the 429 goes out")
	flag.Float64Var(&cfg.randomReject, "random-reject", 0, "400 (cause random) for this share of uploads, at random, whatever the load")
	flag.BoolVar(&cfg.jwt, "jwt", true, "issue JWT access tokens; -jwt=false: opaque tokens")
	flag.BoolVar(&cfg.badToken400, "bad-token-400", false, "an upload whose bearer token was never issued gets 400 (cause bad_token) instead of 401 (cause auth)")
	flag.IntVar(&cfg.tokenRateLimit, "token-rate-limit", 0, "429 + Retry-After: 1 on POST /oauth/token above N token requests per second; 0: no limit")
	flag.BoolVar(&cfg.requirePartNames, "require-part-names", false, "400 (cause multipart) for a multipart part without Content-Disposition: form-data; name=...")
	flag.IntVar(&cfg.queueMSPerInflight, "queue-ms-per-inflight", 0, "add M ms x uploads in flight at arrival to the processing time (a saturating queue)")
	flag.Float64Var(&cfg.queueJitter, "queue-jitter", 0, "multiply the queue part by a uniform factor in [1-J, 1+J]")
	flag.Uint64Var(&cfg.seed, "seed", 0, "seed of the random choices (jitter, random rejects, late 429s, token ids); 0: from the clock")
	clips := flag.String("write-clips", "", "write the upload files of the plans (clip.webm, legacy-clip.b64) into this folder and exit")
	flag.Parse()

	if *clips != "" {
		if err := writeClips(*clips); err != nil {
			log.Printf("mockapi: %v", err)
			os.Exit(1)
		}
		return
	}

	if err := run(cfg); err != nil {
		log.Printf("mockapi: %v", err)
		os.Exit(1)
	}
}

func run(cfg config) error {
	if err := cfg.check(); err != nil {
		return err
	}
	f, err := os.OpenFile(cfg.truth, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	api := newAPI(cfg, f)

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           api.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Printf("mockapi: listening on %s, truth to %s, flags %s", ln.Addr(), cfg.truth, cfg)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Uploads still being processed get their verdict written before the
	// file is closed.
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

type config struct {
	addr, truth        string
	maxInflight        int
	workMS             int
	tokenTTL           time.Duration
	rejectDupIDs       bool
	rateLimit          int
	late429            float64
	randomReject       float64
	jwt                bool
	badToken400        bool
	tokenRateLimit     int
	requirePartNames   bool
	queueMSPerInflight int
	queueJitter        float64
	seed               uint64
}

func (c config) check() error {
	switch {
	case c.late429 < 0 || c.late429 > 1:
		return fmt.Errorf("-late-429 %v: want a share in [0, 1]", c.late429)
	case c.randomReject < 0 || c.randomReject > 1:
		return fmt.Errorf("-random-reject %v: want a share in [0, 1]", c.randomReject)
	case c.queueJitter < 0 || c.queueJitter > 1:
		return fmt.Errorf("-queue-jitter %v: want a share in [0, 1]", c.queueJitter)
	case c.workMS < 0 || c.maxInflight < 0 || c.rateLimit < 0 || c.tokenRateLimit < 0 || c.queueMSPerInflight < 0:
		return errors.New("negative counts or times make no sense")
	}
	return nil
}

// String lists the flags that differ from their defaults, for the log.
func (c config) String() string {
	s := fmt.Sprintf("-work-ms %d", c.workMS)
	add := func(on bool, f string, a ...any) {
		if on {
			s += " " + fmt.Sprintf(f, a...)
		}
	}
	add(c.maxInflight > 0, "-max-inflight %d", c.maxInflight)
	add(c.tokenTTL > 0, "-token-ttl %s", c.tokenTTL)
	add(c.rejectDupIDs, "-reject-dup-ids")
	add(c.rateLimit > 0, "-rate-limit %d", c.rateLimit)
	add(c.late429 > 0, "-late-429 %v", c.late429)
	add(c.randomReject > 0, "-random-reject %v", c.randomReject)
	add(!c.jwt, "-jwt=false")
	add(c.badToken400, "-bad-token-400")
	add(c.tokenRateLimit > 0, "-token-rate-limit %d", c.tokenRateLimit)
	add(c.requirePartNames, "-require-part-names")
	add(c.queueMSPerInflight > 0, "-queue-ms-per-inflight %d", c.queueMSPerInflight)
	add(c.queueJitter > 0, "-queue-jitter %v", c.queueJitter)
	add(c.seed != 0, "-seed %d", c.seed)
	return s
}
