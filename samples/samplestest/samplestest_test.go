package samplestest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestModuleRootHasGoMod(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
}

func TestCheckDirRejectsMissingAndFiles(t *testing.T) {
	if err := checkDir(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("a missing folder passed")
	}
	f := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := checkDir(f); err == nil {
		t.Error("a file passed as the data folder")
	}
	if err := checkDir(t.TempDir()); err != nil {
		t.Error(err)
	}
}

func TestInCI(t *testing.T) {
	for v, want := range map[string]bool{"": false, "true": true, "1": true, "false": false, "0": false} {
		t.Setenv("CI", v)
		if got := InCI(); got != want {
			t.Errorf("CI=%q: InCI() = %v", v, got)
		}
	}
}
