"""What residents see back: public results per survey and per station, "you said, we did" updates, and
what became of the answers a receipt code names."""
