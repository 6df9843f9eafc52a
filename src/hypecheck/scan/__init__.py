"""The scan: every narrative alive across a universe on a date (:mod:`.core`), what changed since the
last stored scan (:mod:`.store`), member universes from folders or long files (:mod:`.members`), a
theme written for one narrative (:mod:`.themegen`) and the command (:mod:`.cmd`).

It reads the lab's panels and model (:mod:`hypecheck.lab`); the lab never imports it.
"""
