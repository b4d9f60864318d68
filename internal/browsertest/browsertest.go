// Package browsertest drives headless Chromium (Debian's chromium
// package) from tests with chromedp, recording every request the page
// makes and every console error or uncaught exception it raises.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Path finds the browser. Without it the test is skipped, except in CI,
// whose .ci/run installs it.
func Path(t testing.TB) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; .ci/run installs Debian's chromium package")
	}
	t.Skip("chromium not installed (apt-get install chromium)")
	return ""
}

// Browser is one tab of a headless browser of the test's own.
type Browser struct {
	Ctx      context.Context
	t        testing.TB
	mu       sync.Mutex
	requests []string
	problems []string
}

// New starts a browser for the test, stopped when the test ends. With
// noScript, the tab runs no JavaScript.
func New(t testing.TB, noScript bool) *Browser {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(Path(t)), chromedp.NoSandbox,
		chromedp.WindowSize(1200, 900), chromedp.UserDataDir(t.TempDir()), chromedp.Flag("disable-gpu", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &Browser{t: t}
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithListener(b.listen))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b.Ctx = ctx
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	if noScript {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func (b *Browser) listen(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		b.requests = append(b.requests, e.Request.URL)
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
			msg := string(e.Type) + ":"
			for _, a := range e.Args {
				msg += fmt.Sprintf(" %s%s", a.Value, a.Description)
			}
			b.problems = append(b.problems, msg)
		}
	case *runtime.EventExceptionThrown:
		msg := "exception: " + e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			msg += " " + e.ExceptionDetails.Exception.Description
		}
		b.problems = append(b.problems, msg)
	}
}

// Requests are the URLs the tab has requested so far.
func (b *Browser) Requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}

// Problems are the console errors and warnings and the uncaught
// exceptions so far.
func (b *Browser) Problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

// Do runs actions, failing the test on an error or after 60 seconds.
func (b *Browser) Do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatal(err)
	}
}

// Eval evaluates a JavaScript expression in the page.
func Eval[T any](b *Browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// Center scrolls the first element matching a CSS selector into view and
// returns its centre in the viewport.
func (b *Browser) Center(selector string) (x, y float64) {
	b.t.Helper()
	p := Eval[[]float64](b, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.scrollIntoView({block: "center"});
		const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`, selector))
	return p[0], p[1]
}

// Hover moves the mouse to the centre of the element.
func (b *Browser) Hover(selector string) {
	b.t.Helper()
	x, y := b.Center(selector)
	b.Do(chromedp.MouseEvent(chromedp.MouseMoved, x, y))
}

// Click clicks the centre of the element with the mouse.
func (b *Browser) Click(selector string) {
	b.t.Helper()
	x, y := b.Center(selector)
	b.Do(chromedp.MouseClickXY(x, y))
}
