"""Pictures and recordings of survey questions and choices: files the pilot team keeps in the surveys
folder's media/, checked (files.py) and served to residents' pages (views.py).

Not residents' own photos, which are uploads kept privately: see app/media.py.
"""
