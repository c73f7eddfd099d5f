package oci

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/oracle/oci-go-sdk/v65/common"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
)

// OpError is an OCI call that failed, with what an operator needs to act on it. It carries
// the OCI error code and opc-request-id (for a support ticket) but never request headers.
type OpError struct {
	Op        string
	Status    int
	Code      string
	Message   string
	RequestID string
	Err       error
}

func (e *OpError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("%s: %d %s: %s (opc-request-id %s)", e.Op, e.Status, e.Code, e.Message, e.RequestID)
}

// Unwrap exposes guard.ErrNotFound for a 404 so the guard can confirm "already gone".
func (e *OpError) Unwrap() []error {
	if e.Status == http.StatusNotFound {
		return []error{e.Err, guard.ErrNotFound}
	}
	return []error{e.Err}
}

// ErrorCode implements guard.ErrorDetail.
func (e *OpError) ErrorCode() string { return e.Code }

// Hint implements guard.ErrorDetail. OCI answers 404 NotAuthorizedOrNotFound (or 403) when a
// policy is missing, so name the statement that authorizes the operation; a 401 is about who
// signed, not what they may do.
func (e *OpError) Hint() string {
	switch e.Status {
	case http.StatusUnauthorized:
		return "the request was not authenticated: check that the function runs with its resource principal (OCI_RESOURCE_PRINCIPAL_*), that the token has not expired, and the clock"
	case http.StatusForbidden, http.StatusNotFound:
	default:
		return ""
	}
	st, ok := permissions.ForOperation(e.Op)
	if !ok {
		return ""
	}
	return "if this is not simply a missing resource, the function's dynamic group probably lacks the policy statement: " +
		permissions.Render([]permissions.Statement{st}, permissions.Vars{DynamicGroup: "<your-dynamic-group>", TopicCompartment: "<topic-compartment>", TopicID: "<topic-ocid>"})[0]
}

func opError(op string, err error) error {
	if err == nil {
		return nil
	}
	e := &OpError{Op: op, Err: err}
	if se, ok := common.IsServiceError(err); ok {
		e.Status, e.Code, e.Message, e.RequestID = se.GetHTTPStatusCode(), se.GetCode(), se.GetMessage(), se.GetOpcRequestID()
	}
	var target *OpError
	if errors.As(err, &target) {
		return err
	}
	return e
}
