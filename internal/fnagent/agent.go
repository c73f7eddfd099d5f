package fnagent

import (
	"context"
	"errors"
	"fmt"
	"github.com/apikeyguard/admin-apikey-guard/internal/testing/syncbuf"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	socketName   = "lsnr.sock"
	readyTimeout = 10 * time.Second
	readyPoll    = 5 * time.Millisecond
	stopGrace    = 5 * time.Second
	// maxSocketPath is sizeof(sockaddr_un.sun_path) minus the NUL on Linux.
	maxSocketPath = 107
	// stderrInErrors bounds how much captured output an error carries.
	stderrInErrors = 4 << 10
)

// Options describes one function container.
type Options struct {
	Binary string            // the function executable
	Env    map[string]string // function configuration; becomes environment variables, as in Fn

	// Resource principal. When RPST and PrivateKeyPEM are both empty no
	// OCI_RESOURCE_PRINCIPAL_VERSION/_RPST/_PRIVATE_PEM is set, so tests can
	// exercise a missing principal. Region is set whenever non-empty.
	RPST          string
	PrivateKeyPEM []byte
	Region        string
	// InlinePrincipal puts the token and key into the environment instead of
	// writing them to 0600 files passed by absolute path (what OCI does).
	InlinePrincipal bool

	// Dir holds the socket and the principal files, and is the function's
	// working directory. Empty means a new temporary directory that Stop
	// removes; a caller's Dir is kept, minus the files the agent wrote.
	Dir string

	Stdout, Stderr io.Writer // optional copies of the function's output
}

// Agent is a running function process. Its methods are safe for concurrent use.
type Agent struct {
	cmd      *exec.Cmd
	dir      string
	ownedDir bool
	files    []string // written by the agent, removed by Stop
	started  time.Time
	ready    time.Duration
	client   *http.Client

	stdout, stderr syncbuf.Buffer

	exited  chan struct{} // closed once the process has been reaped
	waitErr error         // valid after exited is closed

	stopOnce  sync.Once
	stopErr   error
	stopGrace time.Duration
}

// Start launches the function and returns once its socket accepts
// connections. ctx bounds only the startup; the process runs until Stop.
func Start(ctx context.Context, o Options) (a *Agent, err error) {
	bin, err := resolveBinary(o.Binary)
	if err != nil {
		return nil, err
	}
	a = &Agent{exited: make(chan struct{}), stopGrace: stopGrace}
	if err := a.prepareDir(o.Dir); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = a.Stop() // the startup error is the one worth reporting
			a = nil
		}
	}()
	sock, err := a.clearSockets()
	if err != nil {
		return a, err
	}
	if err := a.spawn(bin, sock, o); err != nil {
		return a, err
	}
	a.client = &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
	if err := a.waitReady(ctx, sock); err != nil {
		return a, err
	}
	return a, nil
}

// resolveBinary makes a path with a separator absolute: exec resolves a relative path
// against cmd.Dir, which is the agent dir.
func resolveBinary(bin string) (string, error) {
	if bin == "" {
		return "", errors.New("fnagent: Options.Binary is empty")
	}
	if !strings.ContainsRune(bin, filepath.Separator) {
		return bin, nil
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		return "", fmt.Errorf("fnagent: %w", err)
	}
	return abs, nil
}

// clearSockets checks the socket paths fit and removes stale sockets: the fdk removes them
// itself, but only once it runs, and until then a leftover file could make readiness look
// premature. It returns the socket the fdk will listen on.
func (a *Agent) clearSockets() (string, error) {
	sock := filepath.Join(a.dir, socketName)
	phony := filepath.Join(a.dir, "phony"+socketName)
	if len(phony) > maxSocketPath {
		return "", fmt.Errorf("fnagent: socket path %s is longer than the %d bytes a unix socket allows; use a shorter Dir", phony, maxSocketPath)
	}
	for _, f := range []string{sock, phony} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("fnagent: remove stale socket: %w", err)
		}
	}
	a.files = append(a.files, sock, phony)
	return sock, nil
}

// spawn starts the function process with the environment OCI Functions would give it.
func (a *Agent) spawn(bin, sock string, o Options) error {
	p, err := a.principal(o)
	if err != nil {
		return err
	}
	env, err := buildEnv("unix:"+sock, p, o.Env)
	if err != nil {
		return err
	}
	a.cmd = exec.Command(bin)
	a.cmd.Env = env
	a.cmd.Dir = a.dir
	a.cmd.Stdout = tee(&a.stdout, o.Stdout)
	a.cmd.Stderr = tee(&a.stderr, o.Stderr)
	a.started = time.Now()
	if err := a.cmd.Start(); err != nil {
		a.cmd = nil
		return fmt.Errorf("fnagent: start %s: %w", bin, err)
	}
	go func() {
		a.waitErr = a.cmd.Wait()
		close(a.exited)
	}()
	return nil
}

func tee(buf *syncbuf.Buffer, w io.Writer) io.Writer {
	if w == nil {
		return buf
	}
	return io.MultiWriter(buf, w)
}

func (a *Agent) prepareDir(dir string) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "fnagent-")
		if err != nil {
			return fmt.Errorf("fnagent: %w", err)
		}
		a.dir, a.ownedDir = d, true
		return nil
	}
	d, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("fnagent: %w", err)
	}
	if err := os.MkdirAll(d, 0o700); err != nil {
		return fmt.Errorf("fnagent: %w", err)
	}
	a.dir = d
	return nil
}

func (a *Agent) principal(o Options) (principal, error) {
	if o.RPST == "" && len(o.PrivateKeyPEM) == 0 {
		return principal{region: o.Region}, nil
	}
	if o.InlinePrincipal {
		return principal{rpst: o.RPST, pem: string(o.PrivateKeyPEM), region: o.Region, set: true}, nil
	}
	a.files = append(a.files, filepath.Join(a.dir, rpstFile), filepath.Join(a.dir, pemFile))
	p, err := writePrincipal(a.dir, o.RPST, o.PrivateKeyPEM)
	p.region = o.Region
	return p, err
}

// waitReady polls the socket the way the Fn agent waits for a container:
// the function is ready when a connection is accepted.
func (a *Agent) waitReady(ctx context.Context, sock string) error {
	deadline := time.NewTimer(readyTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(readyPoll)
	defer tick.Stop()
	for {
		conn, err := net.DialTimeout("unix", sock, time.Second)
		if err == nil {
			conn.Close()
			a.ready = time.Since(a.started)
			return nil
		}
		select {
		case <-a.exited:
			return fmt.Errorf("fnagent: function exited before its socket was ready (%v); stderr:\n%s",
				a.waitErr, tail(a.stderr.String(), stderrInErrors))
		case <-deadline.C:
			return fmt.Errorf("fnagent: function socket not ready after %v; stderr:\n%s",
				readyTimeout, tail(a.stderr.String(), stderrInErrors))
		case <-ctx.Done():
			return fmt.Errorf("fnagent: waiting for the function socket: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

// ReadyAfter is the time from process start until the socket accepted a
// connection: the cold start as the agent sees it.
func (a *Agent) ReadyAfter() time.Duration { return a.ready }

// Dir is the directory holding the socket and principal files.
func (a *Agent) Dir() string { return a.dir }

// RotateRPST replaces the resource principal token file with rpst, in place, as OCI Functions
// refreshes the token of a running container: the SDK reads the file again whenever it needs
// a token, so the next invocation of the same process signs with (or fails on) the new one.
// Only a principal passed by file can be rotated.
func (a *Agent) RotateRPST(rpst string) error {
	path := filepath.Join(a.dir, rpstFile)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("fnagent: no token file to rotate (an inline principal, or none): %w", err)
	}
	return writeSecret(path, []byte(rpst))
}

// Stdout returns what the function has written to stdout so far.
func (a *Agent) Stdout() string { return a.stdout.String() }

// Stderr returns what the function has written to stderr so far.
func (a *Agent) Stderr() string { return a.stderr.String() }

// Stop sends SIGTERM, kills the process if it has not exited after a grace
// period, and removes what Start created. It reports an exit the agent did
// not cause (a crash before Stop, or a failing exit status after SIGTERM).
// Calling it again returns the first result.
func (a *Agent) Stop() error {
	a.stopOnce.Do(func() { a.stopErr = a.stop() })
	return a.stopErr
}

func (a *Agent) stop() error {
	var errs []error
	if a.cmd != nil {
		errs = append(errs, a.terminate())
	}
	if a.client != nil {
		a.client.CloseIdleConnections()
	}
	if a.ownedDir {
		if err := os.RemoveAll(a.dir); err != nil {
			errs = append(errs, fmt.Errorf("fnagent: remove %s: %w", a.dir, err))
		}
	} else {
		for _, f := range a.files {
			if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("fnagent: %w", err))
			}
		}
	}
	return errors.Join(errs...)
}

func (a *Agent) terminate() error {
	select {
	case <-a.exited:
		if a.waitErr != nil {
			return fmt.Errorf("fnagent: function had already exited: %w", a.waitErr)
		}
		return nil
	default:
	}
	sent := syscall.SIGTERM
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("fnagent: SIGTERM: %w", err)
	}
	select {
	case <-a.exited:
	case <-time.After(a.stopGrace):
		sent = syscall.SIGKILL
		if err := a.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("fnagent: kill: %w", err)
		}
		<-a.exited
	}
	var exitErr *exec.ExitError
	if errors.As(a.waitErr, &exitErr) {
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == sent {
			return nil
		}
	}
	if a.waitErr != nil {
		return fmt.Errorf("fnagent: function exited badly after %v: %w", sent, a.waitErr)
	}
	return nil
}
