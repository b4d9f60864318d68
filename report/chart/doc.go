// Package chart draws the report's figures as small, self-contained SVG:
// sans-serif type, legends and colour keys in a column beside the data,
// log axes labelled in the values' own units, the Okabe–Ito palette for
// categories and Viridis for colour scales. Every mark that stands for a
// trial carries data-trial="N", the hook the report page's script uses to
// show a trial on hover and highlight it on click; without the script the
// figures are plain static images.
package chart
