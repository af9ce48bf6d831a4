from __future__ import annotations

from halo.cli import main

raise SystemExit(main())
