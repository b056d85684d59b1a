"""Operations: health, metrics and the scale advisor."""
