"""Developer tools of the project (screenshots); not installed with the package."""
