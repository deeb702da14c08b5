from saleschannel.cli import main

raise SystemExit(main())
