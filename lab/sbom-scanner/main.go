// The lab's SBOM scanner for BuildKit's `--attest type=sbom` (the role docker/buildkit-syft-scanner
// plays elsewhere): BuildKit runs this image with the image's root filesystem mounted read-only and
// these variables set, and attaches every in-toto statement written to the destination:
//
//	BUILDKIT_SCAN_SOURCE         the final stage's root filesystem (statement "sbom")
//	BUILDKIT_SCAN_SOURCE_EXTRAS  optional directory of further trees (build contexts, stages)
//	BUILDKIT_SCAN_DESTINATION    where <name>.spdx.json statements go
//
// Each tree is cataloged the way syft catalogs a container image (installed packages: dpkg status,
// package.json files, Go module build info of binaries, binary classifiers such as Node.js), not as
// a source directory (lock files), because the tree is an image's root filesystem.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/anchore/syft/syft"
	"github.com/anchore/syft/syft/cataloging"
	"github.com/anchore/syft/syft/format"
	"github.com/anchore/syft/syft/format/spdxjson"
	"github.com/anchore/syft/syft/source/directorysource"
	// The RPM cataloger needs a database/sql driver for newer rpmdb files (syft's CLI registers it too).
	_ "modernc.org/sqlite"
)

// The in-toto statement BuildKit expects in each file (it fills in the subjects itself).
type statement struct {
	Type          string          `json:"_type"`
	PredicateType string          `json:"predicateType"`
	Subject       []any           `json:"subject"`
	Predicate     json.RawMessage `json:"predicate"`
}

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "sbom-scanner:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	destination, err := requiredDir("BUILDKIT_SCAN_DESTINATION")
	if err != nil {
		return err
	}
	core, err := requiredDir("BUILDKIT_SCAN_SOURCE")
	if err != nil {
		return err
	}
	targets := map[string]string{"sbom": core}
	if extras := os.Getenv("BUILDKIT_SCAN_SOURCE_EXTRAS"); extras != "" {
		entries, err := os.ReadDir(extras)
		if err != nil {
			return err
		}
		for _, entry := range entries {
			targets[entry.Name()] = filepath.Join(extras, entry.Name())
		}
	}
	for name, root := range targets {
		document, err := scan(ctx, root)
		if err != nil {
			return fmt.Errorf("scanning %s: %w", root, err)
		}
		out, err := json.Marshal(statement{
			Type:          "https://in-toto.io/Statement/v0.1",
			PredicateType: "https://spdx.dev/Document",
			Subject:       []any{},
			Predicate:     document,
		})
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(destination, name+".spdx.json"), out, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func requiredDir(variable string) (string, error) {
	dir := os.Getenv(variable)
	if dir == "" {
		return "", fmt.Errorf("%s is not set (this image is run by BuildKit's SBOM step)", variable)
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return "", fmt.Errorf("%s=%q is not a directory", variable, dir)
	}
	return dir, nil
}

// scan catalogs one root filesystem into an SPDX JSON document.
func scan(ctx context.Context, root string) (json.RawMessage, error) {
	src, err := directorysource.New(directorysource.Config{Path: root, Base: root})
	if err != nil {
		return nil, err
	}
	defer src.Close()
	config := syft.DefaultCreateSBOMConfig().
		WithCatalogerSelection(cataloging.NewSelectionRequest().WithDefaults("image")).
		WithoutFiles()
	result, err := syft.CreateSBOM(ctx, src, config)
	if err != nil {
		return nil, err
	}
	encoder, err := spdxjson.NewFormatEncoderWithConfig(spdxjson.DefaultEncoderConfig())
	if err != nil {
		return nil, err
	}
	return format.Encode(*result, encoder)
}
