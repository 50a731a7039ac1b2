"""gongkai（公开）: read 政府信息公开工作年度报告 into exact figures, check them, compare agencies and years."""

__version__ = "0.1.0"
