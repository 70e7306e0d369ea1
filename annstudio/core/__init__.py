"""The ground floor: plain data and parsing, no simulation and no code generation.

- ``core.equations``  parsing and checking equations (sympy over a whitelist), numerical methods
- ``core.model``      the network description: Neuron/Synapse types, specs, distributions
- ``core.runtime``    backend registry, connectivity construction, recordings (backend-neutral data)
- ``core.library``    standard neurons and synapses, as data
- ``core.errors``     the one exception tree

Nothing here imports ``annstudio.codegen``, ``annstudio.session``, ``annstudio.project`` or the GUI
(import-linter contracts in pyproject.toml).
"""
