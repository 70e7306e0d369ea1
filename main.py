"""Start the annstudio desktop studio: ``python main.py [PROJECT.json]``."""
import sys

from annstudio.gui.app import launch

if __name__ == "__main__":
    sys.exit(launch(sys.argv[1:]))
