"""safetynet: one information system for 防止返贫监测 and 低收入人口常态化帮扶."""

__version__ = "0.1.0"
