"""Voice of the customer: surveys, responses, scores, feedback text, Soll-Ist."""
