// Command measure runs a command and reports its wall time, CPU time and
// peak anonymous memory (RssAnon: the process's heap and other private
// pages, not the page cache behind mapped input files).
//
//	measure [-o FILE] -- COMMAND [ARG...]
//
// It prints "WALL USER SYS PEAK_MIB" (seconds, seconds, seconds, MiB) on
// one line, to FILE when given. The command's standard output is
// discarded; its standard error passes through. Memory is sampled from
// /proc every 10 ms inside this process, so that measuring spawns nothing
// that competes with the command for the CPU (on Linux; elsewhere the
// peak is 0).
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"time"
)

func main() {
	out := flag.String("o", "", "write the result line to this file")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: measure [-o FILE] -- COMMAND [ARG...]")
		os.Exit(2)
	}
	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "measure:", err)
		os.Exit(2)
	}
	done := make(chan struct{})
	peak := make(chan int64)
	go func() {
		status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
		var max int64
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if kb := rssAnon(status); kb > max {
				max = kb
			}
			select {
			case <-done:
				peak <- max
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	wall := time.Since(start)
	close(done)
	maxKB := <-peak
	if err != nil {
		fmt.Fprintln(os.Stderr, "measure:", err)
	}
	st := cmd.ProcessState
	line := fmt.Sprintf("%.3f %.3f %.3f %d\n", wall.Seconds(), st.UserTime().Seconds(), st.SystemTime().Seconds(), maxKB/1024)
	if *out != "" {
		if werr := os.WriteFile(*out, []byte(line), 0o644); werr != nil {
			fmt.Fprintln(os.Stderr, "measure:", werr)
			os.Exit(2)
		}
	} else {
		fmt.Print(line)
	}
	if err != nil {
		os.Exit(1)
	}
}

// rssAnon reads RssAnon (kB) from a /proc status file; 0 when unknown.
func rssAnon(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := bytes.CutPrefix(sc.Bytes(), []byte("RssAnon:")); ok {
			n, _ := strconv.ParseInt(string(bytes.Fields(v)[0]), 10, 64)
			return n
		}
	}
	return 0
}
