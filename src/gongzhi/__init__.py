"""Gongzhi (共治): party-building-led community co-governance."""

__version__ = "0.1.0"
