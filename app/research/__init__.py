"""The researcher area: sign-in, access per survey, dashboards, responses, exports and posters."""
