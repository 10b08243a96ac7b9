"""`python -m zoo`: the `zoo` command line (`zoo.cli`)."""

from zoo.cli import main

raise SystemExit(main())
