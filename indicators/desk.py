"""The leader's desk block (驾驶舱要点): registered in step 4."""
