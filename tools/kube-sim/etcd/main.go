// Command etcd is the upstream etcd server, built from go.etcd.io/etcd/server/v3.
// A plain `go install go.etcd.io/etcd/server/v3@…` fails on the replace directives of
// etcd's own go.mod, so this wrapper module calls etcdmain directly.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
