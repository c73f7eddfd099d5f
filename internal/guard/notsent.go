package guard

import "errors"

// ErrNotSent marks a change the Directory did not send at all (for example because the
// identity rate limit left no room before the invocation deadline): it is reported as
// not-attempted, not as failed, since OCI cannot have applied it.
var ErrNotSent = errors.New("request not sent")
