# The main job: the example function on our Node 22 image under the RIE, answered from the cache.

.PHONY: demo
demo: install ## Run the example function on our Node 22 image under the RIE, twice, showing the cache
	@demo/run.sh
