package handler

import "github.com/oracle/oci-go-sdk/v65/common"

// SilenceSDKLog replaces the oci-go-sdk's logger, process-wide, with one that prints nothing.
//
// The SDK logs to stderr on its own, past every redaction of this function: with
// OCI_GO_SDK_DEBUG=debug or verbose it dumps each request and response, bodies included (API
// keys' keyValue PEMs), and even at info it dumps the request and response of every failed call
// (common/client.go, checkForSuccessfulResponse, logRequest, logResponse). It reads the variable
// in an init() (common/log.go, NewSDKLogger), before main runs, so taking the variable out of the
// environment would come too late; replacing the logger (common.SetSDKLogger) works whenever it
// is done before the first request. Both entry points call it first thing; the report warns
// when the variable was set (config.IgnoredVariables).
func SilenceSDKLog() { common.SetSDKLogger(silentSDKLogger{}) }

// silentSDKLogger is the SDK's logger interface at level 0 ("null": no log messages), so that
// the SDK also skips building the dumps it would log (common.IfDebug, IfInfo).
type silentSDKLogger struct{}

func (silentSDKLogger) LogLevel() int                         { return 0 }
func (silentSDKLogger) Log(int, string, ...interface{}) error { return nil }
