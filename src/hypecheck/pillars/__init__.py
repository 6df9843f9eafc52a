"""The evidence pillars, one module each exposing ``measure(panel, rules) -> PillarResult``; they are
declared, in order, in :data:`hypecheck.pillar_registry.PILLARS` (its own module, below everything
that names a pillar, so that naming one imports no pillar)."""
