package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/sweepml/sweep/dataset"
	"github.com/sweepml/sweep/internal/safefile"
)

const dataUsage = `Usage:

	sweep data export DIR
	    writes the embedded MNIST's four files (gzip-compressed IDX, the official names and
	    bytes) into DIR, for programs of other languages to read the same data
	sweep data split [--subset N] [--validation F] [--seed S] FILE
	    writes the training and validation rows of sweep train's split (the first N training
	    images, F held out, stratified, drawn from seed S) to FILE as JSON, for programs of
	    other languages to train and validate on the same images
`

// cmdData is `sweep data export|split`.
func cmdData(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, dataUsage)
		return exitUsage
	}
	switch args[0] {
	case "export":
		if len(args) != 2 {
			break
		}
		written, err := dataset.Export(args[1])
		if err != nil {
			fmt.Fprintf(stderr, "sweep data export: %v\n", err)
			return exitFailure
		}
		fmt.Fprintf(stdout, "%s: the four MNIST files (%d written, %d already there)\n", args[1], len(written), 4-len(written))
		return exitOK
	case "split":
		return dataSplit(args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, dataUsage)
	return exitUsage
}

func dataSplit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sweep data split", flag.ContinueOnError)
	fs.SetOutput(stderr)
	subset := fs.Int("subset", 1000, "the first `N` training images (0 = all)")
	validation := fs.Float64("validation", 0.2, "`fraction` held out for validation")
	seed := fs.Uint64("seed", 42, "split `seed`")
	path, code := parseWithSpec(fs, args, stderr)
	if code >= 0 {
		return code
	}
	data, err := dataset.Load(dataset.EmbeddedSource, *subset)
	if err != nil {
		fmt.Fprintf(stderr, "sweep data split: %v\n", err)
		return exitFailure
	}
	train, val, err := data.Train.First(*subset).Split(*validation, *seed)
	if err != nil {
		fmt.Fprintf(stderr, "sweep data split: %v\n", err)
		return exitUsage
	}
	doc := map[string]any{"subset": *subset, "validation": *validation, "seed": *seed, "train": train.Rows(), "validation_rows": val.Rows()}
	if err := safefile.Write(path, func(w io.Writer) error { return json.NewEncoder(w).Encode(doc) }); err != nil {
		fmt.Fprintf(stderr, "sweep data split: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "%s: %d training and %d validation rows of the first %d images (seed %d)\n", path, train.Len(), val.Len(), *subset, *seed)
	return exitOK
}
