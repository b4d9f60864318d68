// Package serve is `sweep serve`: a read-only web server that shows a
// study's report page and keeps it current while the sweep runs. The page
// is report.html in live mode; its script polls the study's version and,
// when it changes, fetches the page again and swaps in the new tables and
// figures, keeping the reader's sort, filter and selected trial. A study
// is read at most once per interval however many pages poll, and its page
// is rendered again only when its version changed. It works the same for
// a journal in a results directory and for a study in PostgreSQL; it never
// writes to either.
package serve
