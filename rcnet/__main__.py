from rcnet.cli import run

run()
