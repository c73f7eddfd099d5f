package oci

import (
	"fmt"
	"strings"
	"testing"
)

// The message as encoded (JSON escapes <, > and & as six bytes each) stays within ONS's 64 KB,
// whole lines are kept from the start, and the last line says how many were left out.
func TestFitMessageKeepsTheEncodedRequestWithinTheLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("status: ok\n")
	const n = 900
	for i := range n {
		fmt.Fprintf(&b, "  admin%04d <admin%04d@example.com> & co: key deleted \"%02x:%02x\"\n", i, i, i%256, i/256)
	}
	body := b.String()
	if encodedSize("title", body) <= MaxMessageRequest || len(body) > MaxMessageRequest {
		t.Fatalf("the test body must fit by its raw length (%d) and not once encoded (%d)", len(body), encodedSize("title", body))
	}
	got := fitMessage("title", body, MaxMessageRequest)
	if size := encodedSize("title", got); size > MaxMessageRequest || size < MaxMessageRequest-500 {
		t.Fatalf("encoded size %d, want at most %d and not far below", size, MaxMessageRequest)
	}
	kept := strings.Count(got, "\n") - 1
	if !strings.HasPrefix(body, got[:strings.LastIndex(got[:len(got)-1], "\n")+1]) {
		t.Fatal("the kept text is not the body's start, whole lines")
	}
	if want := fmt.Sprintf("… and %d more lines", n+1-kept); !strings.Contains(got, want) || !strings.Contains(got, "return value") {
		t.Fatalf("the last line %q does not say %q and where the full report is", got[strings.LastIndex(got[:len(got)-1], "\n")+1:], want)
	}
	if short := "status: ok\n"; fitMessage("title", short, MaxMessageRequest) != short {
		t.Fatal("a message that fits was changed")
	}
}
