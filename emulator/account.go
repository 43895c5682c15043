package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ldtokens/ldtokens/ldapi"
)

// Account is the emulator's state, and the format of a snapshot file.
type Account struct {
	// AccountID identifies the account, as caller-identity's accountId
	// (default DefaultAccountID).
	AccountID string `json:"accountId"`
	// OwnerID is the account owner's member ID.
	OwnerID string `json:"ownerId"`
	// CallerMemberID is the member whose access token calls the API.
	CallerMemberID string `json:"callerMemberId"`
	// Members are the account's members.
	Members []Member `json:"members"`
	// Roles are the account's custom roles.
	Roles []ldapi.Role `json:"roles,omitempty"`
	// Tokens are the account's access tokens.
	Tokens []StoredToken `json:"tokens"`
	// AuditLog holds an entry for every change made through the API, in
	// the order they were made.
	AuditLog []AuditEntry `json:"auditLog,omitempty"`
}

// Member is an account member.
type Member struct {
	ID        string `json:"_id"`
	Email     string `json:"email"`
	Role      string `json:"role"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
}

// StoredToken is a token with the hashes of its live secrets.
type StoredToken struct {
	ldapi.Token
	// SecretHash is the hex SHA-256 of the current secret.
	SecretHash string `json:"secretHash,omitempty"`
	// OldSecrets are secrets replaced by a reset that still work until
	// their expiry. A reset keeps at most one, as LaunchDarkly does: the
	// secret it replaced.
	OldSecrets []OldSecret `json:"oldSecrets,omitempty"`
}

// OldSecret is a reset secret in its grace period.
type OldSecret struct {
	Hash string `json:"hash"`
	// Expiry is epoch ms.
	Expiry int64 `json:"expiry"`
}

// HashSecret returns the hex SHA-256 of a secret value.
func HashSecret(value string) string {
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:])
}

// LoadAccount reads a snapshot file. A missing file is an empty account.
func LoadAccount(path string) (Account, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return Account{}, nil
	}
	if err != nil {
		return Account{}, fmt.Errorf("emulator state: %w", err)
	}
	var a Account
	if err := json.Unmarshal(data, &a); err != nil {
		return Account{}, fmt.Errorf("emulator state %s: %w", path, err)
	}
	return a, nil
}

// SaveAccount writes a snapshot file atomically.
func SaveAccount(path string, a Account) error {
	data, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ldtokens-state-*")
	if err != nil {
		return fmt.Errorf("emulator state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("emulator state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("emulator state: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("emulator state: %w", err)
	}
	return nil
}
