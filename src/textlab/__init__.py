"""textlab: classic Keras text experiments as a cached, tracked, checked DVC pipeline."""
