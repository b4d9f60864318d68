module github.com/sweepml/sweep

go 1.26

godebug randautoseed=0

require gonum.org/v1/gonum v0.17.0 // indirect
