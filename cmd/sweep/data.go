package main

import (
	"fmt"
	"io"

	"github.com/sweepml/sweep/dataset"
)

// cmdData is `sweep data export DIR`: the embedded MNIST written out, for
// programs of other languages to read the same files (a directory of
// MNIST-named IDX files, as --data and data.source take).
func cmdData(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 || args[0] != "export" {
		fmt.Fprint(stderr, "Usage: sweep data export DIR\n\nWrites the embedded MNIST's four files (gzip-compressed IDX, the official names and bytes) into DIR.\n")
		return exitUsage
	}
	written, err := dataset.Export(args[1])
	if err != nil {
		fmt.Fprintf(stderr, "sweep data export: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "%s: the four MNIST files (%d written, %d already there)\n", args[1], len(written), 4-len(written))
	return exitOK
}
