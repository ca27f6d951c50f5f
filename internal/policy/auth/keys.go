package auth

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// apiKey is one line of the keys file. It holds the key's digest, never
// the key.
type apiKey struct {
	digest [sha256.Size]byte
	id     string // first 8 hex digits of the digest: the Principal's Subject
	scopes map[Scope]bool
}

func loadKeysFile(path string) ([]apiKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvAPIKeysFile, err)
	}
	defer f.Close()
	keys, err := parseKeys(f)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", EnvAPIKeysFile, path, err)
	}
	return keys, nil
}

// parseKeys reads the keys file format: per line, a key's SHA-256 in hex
// and then its scopes, separated by spaces or tabs; "#" starts a comment.
// Its errors give line numbers and never quote the line, which may hold a
// key pasted in clear by mistake.
func parseKeys(r io.Reader) ([]apiKey, error) {
	var (
		keys  []apiKey
		seen  = map[[sha256.Size]byte]int{} // digest -> line
		sc    = bufio.NewScanner(r)
		lineN int
	)
	for sc.Scan() {
		lineN++
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		var k apiKey
		if len(fields[0]) != hex.EncodedLen(sha256.Size) {
			return nil, fmt.Errorf("line %d: the first field must be the key's SHA-256 in hex (64 digits), not the key itself", lineN)
		}
		if _, err := hex.Decode(k.digest[:], []byte(fields[0])); err != nil {
			return nil, fmt.Errorf("line %d: the first field must be the key's SHA-256 in hex (64 digits), not the key itself", lineN)
		}
		if first, dup := seen[k.digest]; dup {
			return nil, fmt.Errorf("line %d: the same key is already listed on line %d", lineN, first)
		}
		seen[k.digest] = lineN
		if len(fields) == 1 {
			return nil, fmt.Errorf("line %d: the key has no scopes (want one or more of read, write, destructive)", lineN)
		}
		k.scopes = map[Scope]bool{}
		for i, word := range fields[1:] {
			s := Scope(word)
			if s != ScopeRead && s != ScopeWrite && s != ScopeDestructive {
				// The word itself is not quoted: it may be a key.
				return nil, fmt.Errorf("line %d: field %d is not a scope (want read, write or destructive, in lower case)", lineN, i+2)
			}
			k.scopes[s] = true
		}
		k.id = hex.EncodeToString(k.digest[:4])
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d is too long", lineN+1)
		}
		return nil, fmt.Errorf("read: %w", err)
	}
	if len(keys) == 0 {
		return nil, errors.New("lists no keys (unset the variable to run without API keys)")
	}
	return keys, nil
}

// lookupKey returns the Principal of the key whose digest matches token's,
// or nil. Every listed digest is compared, in constant time, so that the
// time taken says nothing about which digest bytes matched.
func (a *Authenticator) lookupKey(token string) *Principal {
	sum := sha256.Sum256([]byte(token))
	var found *apiKey
	keys := a.apiKeys()
	for i := range keys {
		if subtle.ConstantTimeCompare(sum[:], keys[i].digest[:]) == 1 {
			found = &keys[i]
		}
	}
	if found == nil {
		return nil
	}
	scopes := make(map[Scope]bool, len(found.scopes))
	for s := range found.scopes {
		scopes[s] = true
	}
	return &Principal{Subject: found.id, Scopes: scopes, Method: MethodAPIKey, credential: hex.EncodeToString(found.digest[:])}
}

// apiKeys is the keys file's keys as last read.
func (a *Authenticator) apiKeys() []apiKey {
	if k := a.keys.Load(); k != nil {
		return *k
	}
	return nil
}

// ReloadKeys reads the keys file again and, when it is valid, serves its
// keys from the next request on: keys added work and keys removed are
// refused, without a restart (SIGHUP, or the file changing; see
// internal/app/gateway's Reload). A file that does not read or parse
// leaves the keys as they were and is the error, which names the file
// and line but never a key. It returns the number of keys now served;
// without a keys file it does nothing.
func (a *Authenticator) ReloadKeys() (int, error) {
	if !a.keysFile {
		return 0, nil
	}
	keys, err := loadKeysFile(a.keysPath)
	if err != nil {
		return len(a.apiKeys()), err
	}
	a.keys.Store(&keys)
	return len(keys), nil
}

// KeysFile is the keys file's path; "" when none is configured.
func (a *Authenticator) KeysFile() string { return a.keysPath }
