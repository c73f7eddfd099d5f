package ociemu

import "net/http"

// MaxRequestHead is the largest request head (request line + header lines + the blank
// line) the emulator accepts; a larger one is answered 431 Request Header Fields Too
// Large (RFC 6585 section 5). ASSUMPTION: Oracle documents no limit; 8 KiB is the default
// of common front ends (nginx large_client_header_buffers 8k per line, Apache
// LimitRequestFieldSize 8190, AWS ALB/ELB and others), and OCI front ends are reported to
// answer 431. http.Server.MaxHeaderBytes is not exact (net/http adds 4 KiB of slack and
// answers 431 from its own reader), so the head is measured here instead.
const MaxRequestHead = 8 << 10

// requestHeadSize is the size of the head as the client sent it: "METHOD URI PROTO\r\n",
// one "Name: value\r\n" per header value (Host included), and the final "\r\n". net/http
// keeps the exact URI, and header names only change case, so the count is exact for a
// well-formed HTTP/1.1 request without folded or padded header lines.
func requestHeadSize(r *http.Request) int {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + 2
	n += len("Host: ") + len(r.Host) + 2
	for name, values := range r.Header {
		for _, v := range values {
			n += len(name) + 2 + len(v) + 2
		}
	}
	if len(r.TransferEncoding) > 0 { // net/http moves Transfer-Encoding out of Header
		for _, te := range r.TransferEncoding {
			n += len("Transfer-Encoding: ") + len(te) + 2
		}
	}
	return n + 2
}
