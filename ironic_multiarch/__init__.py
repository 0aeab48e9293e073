"""ironic-multiarch: one Ironic conductor for a hybrid x86_64/aarch64/ppc64le fleet."""
