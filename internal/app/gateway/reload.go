package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/switchyard/switchyard/internal/policy/auth"
	"github.com/switchyard/switchyard/internal/policy/persisted"
)

// reloader re-reads the files an operator rotates while the gateway
// serves: the API keys file and the persisted query manifest. A file that
// does not read or parse leaves what is served as it was, and is logged
// with the reason.
type reloader struct {
	auth         *auth.Authenticator
	persisted    *persisted.Queries
	manifestPath string
	logger       *slog.Logger
	mu           sync.Mutex // one reload at a time: SIGHUP and the watch may meet
	// seen is each file's stamp when it was last read (by New, which
	// runs just after the start-up read, or by a reload), so that the
	// watch reloads exactly the changes made since.
	seen map[string]fileStamp
}

// remember records path's stamp as read; r.mu must be held, except in
// New.
func (r *reloader) remember(path string) {
	if r.seen == nil {
		r.seen = map[string]fileStamp{}
	}
	r.seen[path] = stamp(path)
}

// changed reports whether path differs from when it was last read.
func (r *reloader) changed(path string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	was, now := r.seen[path], stamp(path)
	return !now.mod.Equal(was.mod) || now.size != was.size
}

// Reload reads the API keys file and the persisted query manifest again
// (server.go calls it on SIGHUP). Each file that reads and parses is
// served from the next request on; one that does not keeps the old one,
// and the error says why, naming the file and line but never a key.
func (g *Gateway) Reload() error {
	return errors.Join(g.reload.keys(), g.reload.manifest())
}

func (r *reloader) keys() error {
	if r.auth == nil || r.auth.KeysFile() == "" {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.remember(r.auth.KeysFile()) // before reading: a change while reading is seen next time
	n, err := r.auth.ReloadKeys()
	if err != nil {
		r.logger.Error("API keys file not reloaded: the keys read before stay in use", "file", r.auth.KeysFile(), "error", err.Error(), "keys", n)
		return err
	}
	r.logger.Info("API keys file reloaded", "file", r.auth.KeysFile(), "keys", n)
	return nil
}

func (r *reloader) manifest() error {
	if r.persisted == nil || r.manifestPath == "" {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.remember(r.manifestPath)
	m, err := persisted.LoadManifest(r.manifestPath)
	if err == nil {
		err = r.persisted.SetManifest(m)
	}
	if err != nil {
		err = fmt.Errorf("%s: %w", "SWITCHYARD_PERSISTED_MANIFEST", err)
		r.logger.Error("persisted query manifest not reloaded: the operations read before stay in use", "file", r.manifestPath, "error", err.Error())
		return err
	}
	r.logger.Info("persisted query manifest reloaded", "file", r.manifestPath, "operations", m.Len())
	return nil
}

// WatchFiles reloads the keys file or the manifest when it changes, as
// seen by checking its modification time and size every interval, until
// ctx ends. It polls rather than using inotify (fsnotify): Kubernetes
// updates a mounted Secret or ConfigMap by swapping a symlink to a new
// directory, which an inotify watch on the file does not see (the watch
// stays on the old, unlinked inode) and a watch on the directory sees only
// with symlink bookkeeping; os.Stat follows the link, so polling sees
// every update on every filesystem (NFS, overlay) for one stat per file
// per interval, and needs no dependency.
func (g *Gateway) WatchFiles(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		return
	}
	type watched struct {
		path   string
		reload func() error
	}
	var files []watched
	if g.reload.auth != nil && g.reload.auth.KeysFile() != "" {
		files = append(files, watched{g.reload.auth.KeysFile(), g.reload.keys})
	}
	if g.reload.persisted != nil && g.reload.manifestPath != "" {
		files = append(files, watched{g.reload.manifestPath, g.reload.manifest})
	}
	if len(files) == 0 {
		return
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for _, f := range files {
			if g.reload.changed(f.path) {
				_ = f.reload() // logged; the old file stays in use
			}
		}
	}
}

// fileStamp is what tells a changed file: modification time and size (a
// missing file has the zero stamp, so that its return is a change too).
type fileStamp struct {
	mod  time.Time
	size int64
}

func stamp(path string) fileStamp {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}
	}
	return fileStamp{mod: fi.ModTime(), size: fi.Size()}
}
