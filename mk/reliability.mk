# Reliability and security of the extension (issue 6): fuzzing, raw sockets, loopback-only binding,
# backend faults, load and lifetime, against the built bundle as a real process on loopback + moto.
# Every loop is bounded in count and time; files run one at a time (the load test needs the cores).

.PHONY: test-reliability
test-reliability: build ## Extension reliability tests (faults, fuzzing, load, shutdown), on every Node major the images ship
	lab/moto.sh up
	$(call EACH_NODE,npx vitest run --project reliability)

TEST_TARGETS += test-reliability
