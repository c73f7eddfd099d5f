package oci

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/oracle/oci-go-sdk/v65/common"

	"github.com/apikeyguard/admin-apikey-guard/internal/guard"
	"github.com/apikeyguard/admin-apikey-guard/internal/permissions"
)

// OpError is an OCI call that failed, with what an operator needs to act on it. It carries
// the OCI error code and opc-request-id (for a support ticket) but never request headers.
type OpError struct {
	Op        string
	Domain    string // identity domain display name, when the call was addressed to one
	Status    int
	Code      string
	Message   string
	RequestID string
	// HomeRegion is the tenancy's home region when the call was an IAM write sent there
	// (homeregion.go); a NotAllowed hint names it.
	HomeRegion string
	// BeforeWrite marks an error of a call a write needed first (the home-region lookup): its
	// 404 says nothing about the resource the write was for.
	BeforeWrite bool
	Err         error
}

func (e *OpError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("%s: %d %s: %s (opc-request-id %s)", e.Op, e.Status, e.Code, e.Message, e.RequestID)
}

// Unwrap exposes guard.ErrNotFound for a 404 and guard.ErrConflict for a 409, so that the guard
// settles them by listing again (not for a lookup made before a write: that answer is about
// the lookup).
func (e *OpError) Unwrap() []error {
	switch {
	case e.Status == http.StatusNotFound && !e.BeforeWrite:
		return []error{e.Err, guard.ErrNotFound}
	case e.Status == http.StatusConflict && !e.BeforeWrite:
		return []error{e.Err, guard.ErrConflict}
	}
	return []error{e.Err}
}

// ErrorCode implements guard.ErrorDetail.
func (e *OpError) ErrorCode() string { return e.Code }

// HTTPStatus is OCI's answer (0 when none came): the guard reads a 4xx as a refused write,
// which certainly did not apply.
func (e *OpError) HTTPStatus() int { return e.Status }

// Operation is the operation that failed (internal/permissions' Op* names), so the guard can
// report failures once per operation and code.
func (e *OpError) Operation() string { return e.Op }

// Hint implements guard.ErrorDetail. OCI answers 404 NotAuthorizedOrNotFound (IAM) or 403
// (Identity Domains) when a grant is missing, so name the grant that authorizes the operation
// in its own family: the policy statement, or the domain role. A 401 is about who signed, not
// what they may do, except from Identity Domains, which also answer 401 to a principal the
// domain does not know (an assumption; see docs/authorization.md).
func (e *OpError) Hint() string {
	switch e.Status {
	case http.StatusUnauthorized:
		h := "the request was not authenticated: check that the function runs with its resource principal (OCI_RESOURCE_PRINCIPAL_*), that the token has not expired, and the clock"
		if g, ok := permissions.MissingGrant(e.Op, e.Domain); ok && permissions.IsSCIM(e.Op) {
			h += "; for the Identity Domains API also check " + g
		}
		return h
	case http.StatusForbidden, http.StatusNotFound:
		if e.Status == http.StatusForbidden && e.Code == errNotAllowed && !permissions.IsSCIM(e.Op) {
			// IAM's answer to a write outside the home region: a routing fault, never a
			// missing grant.
			return homeRegionHint(e.HomeRegion, e.Message)
		}
	default:
		return ""
	}
	g, ok := permissions.MissingGrant(e.Op, e.Domain)
	if !ok {
		return ""
	}
	return "if this is not simply a missing resource, the function's dynamic group probably lacks " + g
}

func opError(op string, err error) error {
	if err == nil {
		return nil
	}
	var target *OpError
	if errors.As(err, &target) {
		return err
	}
	e := &OpError{Op: op, Err: err}
	if se, ok := common.IsServiceError(err); ok {
		e.Status, e.Code, e.Message, e.RequestID = se.GetHTTPStatusCode(), se.GetCode(), se.GetMessage(), se.GetOpcRequestID()
	}
	return e
}

// domainError is opError for a call addressed to an identity domain.
func domainError(op string, dom guard.Domain, err error) error {
	err = opError(op, err)
	var e *OpError
	if errors.As(err, &e) && e.Domain == "" {
		e.Domain = dom.Name
	}
	return err
}

// scimError is the error body Identity Domains send (RFC 7644 §3.12, plus Oracle's extension
// with a message id); the SDK reads only OCI's {code, message}, so without this it reports
// "BadErrorResponse" with no message and Oracle's detail is lost.
type scimError struct {
	Schemas []string `json:"schemas"`
	Detail  string   `json:"detail"`
	Status  string   `json:"status"`
	Oracle  *struct {
		MessageID string `json:"messageId"`
	} `json:"urn:ietf:params:scim:api:oracle:idcs:extension:messages:Error"`
}

const scimErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"

// normalizeSCIMError rewrites a SCIM error body into OCI's {code, message} shape, keeping the
// HTTP status (which the retry policy reads) and Oracle's detail. Anything else is left as it
// came.
func normalizeSCIMError(resp *http.Response) {
	if resp.StatusCode < 400 || resp.Body == nil {
		return
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return
	}
	var se scimError
	if json.Unmarshal(body, &se) != nil || !slices.Contains(se.Schemas, scimErrorSchema) {
		return
	}
	// OCI's codes by status, so that a refusal reads the same in both families; Oracle's
	// message id, when there is one, stays in the message.
	code := strings.ReplaceAll(http.StatusText(resp.StatusCode), " ", "")
	switch resp.StatusCode {
	case http.StatusBadRequest:
		code = "InvalidParameter"
	case http.StatusUnauthorized:
		code = "NotAuthenticated"
	case http.StatusForbidden:
		code = "NotAuthorized"
	case http.StatusNotFound:
		code = "NotAuthorizedOrNotFound"
	}
	msg := se.Detail
	if msg == "" {
		msg = "Identity Domains answered " + resp.Status + " without detail"
	}
	if se.Oracle != nil && se.Oracle.MessageID != "" {
		msg += " (messageId " + se.Oracle.MessageID + ")"
	}
	out, err := json.Marshal(map[string]string{"code": code, "message": msg})
	if err != nil {
		return
	}
	resp.Body = io.NopCloser(bytes.NewReader(out))
	resp.ContentLength = int64(len(out))
	resp.Header.Set("Content-Type", "application/json")
	resp.Header.Del("Content-Length")
}
