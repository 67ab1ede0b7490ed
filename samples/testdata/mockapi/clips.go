package main

import (
	"encoding/base64"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// writeClips writes the files the plans upload: clip.webm, 20,000 bytes
// that start like a WebM file (an EBML header) and go on with bytes from a
// fixed seed, so every run uploads the same file; and legacy-clip.b64, the
// base64 text of its first 1,140 bytes, which the hand-built multipart
// body of the "legacy agents" of m8 carries inline (short, because JMeter
// writes a raw body whole into the XML results).
func writeClips(dir string) error {
	clip := make([]byte, 20000)
	r := rand.New(rand.NewPCG(2026, 12))
	for i := range clip {
		clip[i] = byte(r.UintN(256))
	}
	copy(clip, []byte{0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01,
		0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84, 'w', 'e', 'b', 'm'})
	if err := os.WriteFile(filepath.Join(dir, "clip.webm"), clip, 0o644); err != nil {
		return err
	}
	b64 := base64.StdEncoding.EncodeToString(clip[:1140])
	return os.WriteFile(filepath.Join(dir, "legacy-clip.b64"), []byte(b64), 0o644)
}
