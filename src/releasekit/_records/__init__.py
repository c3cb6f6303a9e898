"""The records layer: serialization, history events and stores."""
