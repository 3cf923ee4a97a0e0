package pgtest

import (
	"errors"
	"testing"
)

func TestStartQueryAndRoles(t *testing.T) {
	s := Start(t)
	s.Exec(t, "CREATE TABLE items (id int, name text); INSERT INTO items VALUES (1, 'one'), (2, 'two')")
	s.Exec(t, "CREATE ROLE reader LOGIN PASSWORD 'reader-pw'; GRANT SELECT ON items TO reader")

	t.Run("a login role can query", func(t *testing.T) {
		out, err := s.QueryAs("reader", "reader-pw", "SELECT id, name FROM items ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		if out != "1|one\n2|two" {
			t.Fatalf("rows = %q", out)
		}
	})
	t.Run("a wrong password is refused", func(t *testing.T) {
		_, err := s.QueryAs("reader", "wrong", "SELECT 1")
		if !errors.Is(err, ErrQuery) {
			t.Fatalf("err = %v, want ErrQuery", err)
		}
	})
	t.Run("RoleExists follows pg_roles", func(t *testing.T) {
		if !s.RoleExists(t, "reader") {
			t.Fatal("reader not found")
		}
		s.Exec(t, "DROP OWNED BY reader; DROP ROLE reader")
		if s.RoleExists(t, "reader") {
			t.Fatal("reader still exists after DROP ROLE")
		}
	})
}
