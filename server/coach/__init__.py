"""The coach: state (what travels with each turn), texts (its words), answers (reading
what the person typed), flow (the table of steps), partner (the practice replies)."""
