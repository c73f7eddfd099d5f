// Package syncbuf is the one buffer the tests share between writers and readers running at
// once: a function process's output, the emulator's log, every log of an end-to-end run.
package syncbuf
