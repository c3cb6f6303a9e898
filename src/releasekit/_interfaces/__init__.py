"""The interfaces layer: policy files, the command line, the testing kit."""
