from vetting.cli import main

main()
