package oci

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/oracle/oci-go-sdk/v65/common"
)

// The SDK's retry loop (common.Retry, v65.129.0) runs each call in a goroutine and, when the
// caller's context ends first, returns the response variable that goroutine is still writing:
// a data race (upstream oracle/oci-go-sdk#603). So the SDK is never handed a context that can
// end. detach gives it one that cannot, carrying the invocation's context along; the
// dispatcher applies that context to each HTTP request, and the retry policy refuses to back
// off past the invocation deadline, so no call outlives the invocation.

type invocationKey struct{}

// operationKey carries the operation's name (a permissions.Op* constant) to the dispatcher,
// which counts calls by it: the name is given where the call is made, never guessed from a
// URL.
type operationKey struct{}

// detach is the context every SDK call gets: it cannot end, carries the invocation's context
// for the dispatcher, and names the operation.
func detach(ctx context.Context, op string) context.Context {
	return context.WithValue(context.WithValue(context.WithoutCancel(ctx), invocationKey{}, ctx), operationKey{}, op)
}

// errInvocationOver is returned instead of sending a request once the invocation is over; it
// is not retryable, so the SDK returns at once.
type errInvocationOver struct{ cause error }

func (e *errInvocationOver) Error() string { return "invocation deadline reached: " + e.cause.Error() }
func (e *errInvocationOver) Unwrap() error { return e.cause }

// boundByInvocation sends req under the invocation's context: the request is cancelled when
// the invocation ends, and released when its body is closed.
func boundByInvocation(next common.HTTPRequestDispatcher, req *http.Request) (*http.Response, error) {
	inv, ok := req.Context().Value(invocationKey{}).(context.Context)
	if !ok {
		return next.Do(req)
	}
	if err := inv.Err(); err != nil {
		return nil, &errInvocationOver{err}
	}
	ctx, cancel := context.WithCancel(req.Context())
	stop := context.AfterFunc(inv, cancel)
	release := func() { stop(); cancel() }
	resp, err := next.Do(req.WithContext(ctx))
	if err != nil {
		release()
		if ierr := inv.Err(); ierr != nil {
			return nil, &errInvocationOver{ierr}
		}
		return nil, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	return resp, nil
}

type releasingBody struct {
	io.ReadCloser
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}

// retryPolicy is the SDK's default (429, 5xx, network errors; exponential backoff with jitter;
// 8 attempts), except that:
//   - every 429 is retried, whatever its body. The SDK retries a 429 only when it can parse
//     {"code": "TooManyRequests"} (common/retry.go, defaultRetryStatusCodeMap); any other body
//     (an Identity Domains error the normalizer could not read, a front end's text/plain page)
//     becomes the code BadErrorResponse (common/errors.go) and would fail at once;
//   - it waits what a 429's Retry-After says when there is one (pace.go);
//   - a DELETE answered 409 is not retried: IAM answers IncorrectState (a code the SDK would
//     retry for minutes) to a delete of a credential already being deleted, and the guard
//     settles it with the evidence (the owner's credentials listed again, decide.go,
//     deleteVerdict), within the deadline;
//   - it never retries once the invocation is over or a request was held back by pacing, and
//     never when the next backoff would pass deadline.
//
// Stopping this way keeps the last OCI error and its code.
func retryPolicy(deadline func() (time.Time, bool)) common.RetryPolicy {
	base := common.DefaultRetryPolicyWithoutEventualConsistency()
	next := func(r common.OCIOperationResponse) time.Duration {
		if ra, ok := retryAfter(httpResponse(r)); ok && statusOf(r) == http.StatusTooManyRequests {
			return ra
		}
		return base.NextDuration(r)
	}
	return common.NewRetryPolicyWithOptions(
		common.ReplaceWithValuesFromRetryPolicy(base),
		common.WithNextDuration(next),
		common.WithShouldRetryOperation(func(r common.OCIOperationResponse) bool {
			var over *errInvocationOver
			if errors.As(r.Error, &over) || isNotSent(r.Error) || !retryable(r, base) {
				return false
			}
			// The SDK draws the sleep again after this check, with fresh jitter (up to
			// sdkMaxJitter), so the check allows for the largest draw: a backoff never ends
			// past the deadline.
			d, ok := deadline()
			return !ok || time.Now().Add(next(r)+sdkMaxJitter).Before(d)
		}))
}

// sdkMaxJitter bounds the jitter the SDK's default backoff adds: rand.Float64() seconds
// (common/retry.go, DefaultRetryPolicyWithoutEventualConsistency).
const sdkMaxJitter = time.Second

// retryable says whether r is worth another attempt, before the deadline is considered: every
// 429 (by its status, whatever the body said), never a DELETE's 409 (the guard settles it),
// otherwise what the SDK's default says.
func retryable(r common.OCIOperationResponse, base common.RetryPolicy) bool {
	switch status := statusOf(r); {
	case status == http.StatusTooManyRequests:
		return true
	case status == http.StatusConflict && methodOf(r) == http.MethodDelete:
		return false
	}
	return base.ShouldRetryOperation(r)
}

// statusOf is r's HTTP status: the service error's, else the raw response's; 0 without one
// (a network error).
func statusOf(r common.OCIOperationResponse) int {
	if se, ok := common.IsServiceError(r.Error); ok {
		return se.GetHTTPStatusCode()
	}
	if resp := httpResponse(r); resp != nil {
		return resp.StatusCode
	}
	return 0
}

// methodOf is the HTTP method of r's request, "" when unknown.
func methodOf(r common.OCIOperationResponse) string {
	if resp := httpResponse(r); resp != nil && resp.Request != nil {
		return resp.Request.Method
	}
	return ""
}

// httpResponse is r's raw HTTP response, nil when there is none (the SDK sets RawResponse on
// every operation's response, errors included, whenever an answer came).
func httpResponse(r common.OCIOperationResponse) *http.Response {
	if r.Response == nil {
		return nil
	}
	return r.Response.HTTPResponse()
}
