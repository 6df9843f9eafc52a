"""One module per evidence pillar; each exposes ``measure(panel, rules) -> PillarResult``."""

from . import attention, breadth, catalysts, fundamentals, history, price, structure

MEASURES = {
    "attention": attention.measure,
    "price": price.measure,
    "breadth": breadth.measure,
    "catalysts": catalysts.measure,
    "fundamentals": fundamentals.measure,
    "structure": structure.measure,
    "history": history.measure,
}

__all__ = ["MEASURES"]
