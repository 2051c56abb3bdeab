from rcnet.cli import main

raise SystemExit(main())
