"""govit's benchmark: `make bench` (bench/run.py), data from bench/seed.py."""
